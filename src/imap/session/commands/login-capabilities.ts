/**
 * Capabilities announced with a login (LOGIN or AUTHENTICATE): untagged CAPABILITY during it
 * (Gmail) or a [CAPABILITY ...] code in the tagged OK; the OK's code wins.
 */

import { capabilitiesDuringLogin } from '../quirks.js';
import type { ResponseText, UntaggedResponse } from '../../wire/types.js';
import { capabilitiesFromCode, toCapabilitySet } from './capability.js';

export function collectLoginCapabilities(): { collect(data: UntaggedResponse): boolean; done(text: ResponseText): Set<string> | null } {
  let untagged: Set<string> | null = null;
  return {
    collect(data) {
      const list = capabilitiesDuringLogin(data);
      if (list === null) return false;
      untagged = toCapabilitySet(list);
      return true;
    },
    done: (text) => capabilitiesFromCode(text) ?? untagged,
  };
}
