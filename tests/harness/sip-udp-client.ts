/**
 * A minimal SIP REGISTER client over UDP with digest authentication, to check what the SIP
 * server accepts without a browser (credential expiry and revocation). Not a general UA.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

export interface RegisterResult {
  status: number;
  reason: string;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export async function sipRegister(opts: {
  host: string;
  port: number;
  domain: string;
  extension: string;
  username: string;
  password: string;
  expires?: number;
}): Promise<RegisterResult> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const localPort = sock.address().port;
  const callId = randomBytes(8).toString('hex');
  const tag = randomBytes(4).toString('hex');
  const aor = `sip:${opts.extension}@${opts.domain}`;
  let cseq = 1;
  const build = (auth?: string) =>
    [
      `REGISTER sip:${opts.domain} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${localPort};rport;branch=z9hG4bK${randomBytes(6).toString('hex')}`,
      'Max-Forwards: 70',
      `From: <${aor}>;tag=${tag}`,
      `To: <${aor}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq++} REGISTER`,
      `Contact: <sip:${opts.extension}@127.0.0.1:${localPort}>`,
      `Expires: ${opts.expires ?? 60}`,
      ...(auth ? [`Authorization: ${auth}`] : []),
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  const exchange = (msg: string) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no SIP response within 3 s')), 3000);
      const onMsg = (buf: Buffer) => {
        const text = buf.toString();
        if (/^SIP\/2\.0 1\d\d/.test(text)) return; // provisional
        clearTimeout(timer);
        sock.off('message', onMsg);
        resolve(text);
      };
      sock.on('message', onMsg);
      sock.send(msg, opts.port, opts.host);
    });
  try {
    let res = await exchange(build());
    const challenge = /WWW-Authenticate:\s*Digest\s+(.*)/i.exec(res)?.[1];
    if (challenge) {
      const realm = /realm="([^"]+)"/.exec(challenge)?.[1] ?? opts.domain;
      const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
      const qop = /qop="([^"]+)"/.exec(challenge)?.[1];
      const uri = `sip:${opts.domain}`;
      const ha1 = md5(`${opts.username}:${realm}:${opts.password}`);
      const ha2 = md5(`REGISTER:${uri}`);
      let auth: string;
      if (qop) {
        const cnonce = randomBytes(4).toString('hex');
        const nc = '00000001';
        const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
        auth = `Digest username="${opts.username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`;
      } else {
        auth = `Digest username="${opts.username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${md5(`${ha1}:${nonce}:${ha2}`)}", algorithm=MD5`;
      }
      res = await exchange(build(auth));
    }
    const m = /^SIP\/2\.0 (\d{3}) ([^\r\n]*)/.exec(res);
    return { status: Number(m?.[1] ?? 0), reason: m?.[2] ?? '' };
  } finally {
    sock.close();
  }
}
