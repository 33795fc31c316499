/**
 * Provider presets: host, port and TLS mode of well-known services. Explicit values win.
 */
export type ProviderName = 'gmail' | 'outlook' | 'yahoo' | 'fastmail' | 'protonmail-bridge';

export interface ProviderPreset {
  host: string;
  port: number;
  mode: 'implicit' | 'starttls';
}

/** Host, port and TLS mode of each known provider: implicit TLS on port 993 for Gmail, Outlook (Office 365), Yahoo and Fastmail; STARTTLS on 127.0.0.1:1143 for the local Proton Mail Bridge. */
export const PROVIDERS: Record<ProviderName, ProviderPreset> = {
  gmail: { host: 'imap.gmail.com', port: 993, mode: 'implicit' },
  outlook: { host: 'outlook.office365.com', port: 993, mode: 'implicit' },
  yahoo: { host: 'imap.mail.yahoo.com', port: 993, mode: 'implicit' },
  fastmail: { host: 'imap.fastmail.com', port: 993, mode: 'implicit' },
  'protonmail-bridge': { host: '127.0.0.1', port: 1143, mode: 'starttls' },
};

export function isProviderName(value: string): value is ProviderName {
  return Object.prototype.hasOwnProperty.call(PROVIDERS, value);
}
