import { describe, expect, it } from 'vitest';
import { dtmfFromInfo, sipfragStatus } from './sip-bodies';

describe('dtmfFromInfo', () => {
  it('reads application/dtmf-relay', () => {
    expect(dtmfFromInfo('application/dtmf-relay', 'Signal=5\r\nDuration=160')).toBe('5');
    expect(dtmfFromInfo('Application/DTMF-Relay', 'Signal= #\r\nDuration=100\r\n')).toBe('#');
    expect(dtmfFromInfo('application/dtmf-relay', 'Signal=*')).toBe('*');
  });
  it('reads application/dtmf', () => {
    expect(dtmfFromInfo('application/dtmf', '7\r\n')).toBe('7');
  });
  it('ignores anything else', () => {
    expect(dtmfFromInfo('application/dtmf-relay', 'Duration=160')).toBeNull();
    expect(dtmfFromInfo('text/plain', 'Signal=5')).toBeNull();
    expect(dtmfFromInfo('application/dtmf', '12')).toBeNull();
  });
});

describe('sipfragStatus', () => {
  it('reads the status line', () => {
    expect(sipfragStatus('SIP/2.0 200 OK')).toBe(200);
    expect(sipfragStatus('SIP/2.0 100 Trying\r\n')).toBe(100);
    expect(sipfragStatus('SIP/2.0 486 Busy Here')).toBe(486);
    expect(sipfragStatus('garbage')).toBeNull();
  });
});
