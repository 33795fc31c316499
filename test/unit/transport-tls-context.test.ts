/**
 * The transport's shared TLS contexts (src/imap/transport/connect.ts): connections with the same
 * extra CAs share one context instead of building one each from ~140 roots (about 1 MB of native
 * memory per connection); different CAs get different contexts; the cache is bounded. That
 * verification still happens per connection (wrong CA, wrong name) is checked against Dovecot in
 * test/integration/session.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rootCertificates } from 'node:tls';
import { SECURE_CONTEXT_CACHE_SIZE, secureContextFor } from '../../src/imap/transport/connect.js';

// Real certificates to stand in for private CAs (any parseable PEM will do).
const pem = (i: number): string => rootCertificates[i] as string;

describe('shared TLS contexts', () => {
  test('the same CA gives the same context; another CA, none or an added one give another', () => {
    const a = secureContextFor({ ca: pem(0) });
    assert.equal(secureContextFor({ ca: pem(0) }), a);
    assert.equal(secureContextFor({ ca: [pem(0)], servername: 'other.example' }), a, 'the name is checked per connection, not in the context');
    assert.notEqual(secureContextFor({ ca: pem(1) }), a);
    assert.notEqual(secureContextFor({ ca: [pem(0), pem(1)] }), a);
    const none = secureContextFor(undefined);
    assert.notEqual(none, a);
    assert.equal(secureContextFor({}), none);
    assert.equal(secureContextFor({ ca: new TextEncoder().encode(pem(2)) }), secureContextFor({ ca: new TextEncoder().encode(pem(2)) }));
  });

  test('at most SECURE_CONTEXT_CACHE_SIZE contexts are kept: the oldest goes first', () => {
    const first = secureContextFor({ ca: pem(10) });
    for (let i = 1; i < SECURE_CONTEXT_CACHE_SIZE; i++) secureContextFor({ ca: pem(10 + i) });
    assert.equal(secureContextFor({ ca: pem(10) }), first, 'still cached while the cache is not over its size');
    for (let i = 0; i < SECURE_CONTEXT_CACHE_SIZE; i++) secureContextFor({ ca: pem(40 + i) });
    assert.notEqual(secureContextFor({ ca: pem(10) }), first, 'evicted after as many newer ones');
  });
});
