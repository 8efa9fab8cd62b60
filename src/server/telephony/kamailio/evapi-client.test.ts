import { describe, expect, it } from 'vitest';
import { encodeNetstring, NetstringDecoder } from './evapi-client.js';
import { offerFailureOf, reasonPhrase } from './kamailio-acd-bridge.js';

describe('netstrings on the evapi socket', () => {
  it('decodes frames split anywhere and several per chunk, counting bytes not characters', () => {
    const payloads = ['{"t":"hello"}', '{"t":"arrived","caller":"张三"}', ''.padEnd(300, 'x')];
    const wire = Buffer.concat(payloads.map(encodeNetstring));
    for (let cut = 1; cut < wire.length; cut += 7) {
      const d = new NetstringDecoder();
      const got = [...d.push(wire.subarray(0, cut)), ...d.push(wire.subarray(cut))];
      expect(got).toEqual(payloads);
    }
  });

  it('skips whitespace between frames and refuses garbage', () => {
    const d = new NetstringDecoder();
    expect(d.push(Buffer.from('3:abc,\n 2:de,'))).toEqual(['abc', 'de']);
    expect(() => new NetstringDecoder().push(Buffer.from('x:abc,'))).toThrow(/length/);
    expect(() => new NetstringDecoder().push(Buffer.from('3:abcd'))).toThrow(/comma/);
  });
});

describe('SIP outcomes for the ACD', () => {
  it('maps an agent branch final status to the offer failure', () => {
    expect([408, 487, 486, 600, 404, 480, 503, 603, 403].map(offerFailureOf)).toEqual([
      'no_answer', 'no_answer', 'busy', 'busy', 'unavailable', 'unavailable', 'unavailable', 'rejected', 'rejected',
    ]);
  });

  it('keeps reason phrases printable and bounded', () => {
    expect(reasonPhrase('Queue Closed\r\nVia: x', 'Rejected')).toBe('Queue ClosedVia: x');
    expect(reasonPhrase('队列已关闭', 'Rejected')).toBe('Rejected');
    expect(reasonPhrase('x'.repeat(100), 'R')).toHaveLength(64);
  });
});
