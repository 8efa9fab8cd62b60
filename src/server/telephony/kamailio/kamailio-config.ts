/**
 * Renders deploy/kamailio/kamailio.cfg.tpl for this site: ports, domain, the shared secret
 * for ephemeral credentials, TLS for WSS. Every placeholder must be filled; a value that
 * could break the config's syntax is refused.
 */
import { readFileSync } from 'node:fs';
import { EXTERNAL_NUMBER, renderTrunkRoutes, type Trunk } from '../trunks.js';

export interface KamailioSettings {
  domain: string;
  authSecret: string;
  sipAddr: string;
  sipPort: number;
  wsAddr: string;
  wsPort: number;
  rpcPort: number;
  /** Loopback port of Kamailio's evapi listener: call facts out, routing decisions in (ACD). */
  evapiPort: number;
  /**
   * How long a queue call may wait for the backend's next decision before Kamailio gives
   * up on it (480): a safety net for a backend that is gone, far above any queue's maximum wait.
   */
  acdWaitCapSeconds?: number;
  /** WSS for sites: certificate and key files; absent on loopback dev/test. */
  tls?: { port: number; certificate: string; privateKey: string } | undefined;
  credentialTtl: number;
  /** rtpengine's ng address (udp:IPv4:port) for the media bridge; absent: no bridging. */
  rtpengineSock?: string | undefined;
  /** Configured trunks (validated by TrunksSchema) and the caller id they default to. */
  trunks?: Trunk[];
  hotlineNumber?: string;
  runDir: string;
  modulesDir: string;
  logLevel: number;
  udpChildren?: number;
  tcpChildren?: number;
}

const SAFE = /^[A-Za-z0-9._:/@+=-]*$/;

function safe(name: string, value: string | number): string {
  const s = String(value);
  if (!SAFE.test(s)) throw new Error(`Kamailio setting ${name} contains characters not allowed in the config: ${JSON.stringify(s)}`);
  return s;
}

export function renderKamailioConfig(template: string, s: KamailioSettings): string {
  const tls = s.tls;
  const values: Record<string, string> = {
    DOMAIN: safe('domain', s.domain),
    AUTH_SECRET: safe('authSecret', s.authSecret),
    SIP_ADDR: safe('sipAddr', s.sipAddr),
    SIP_PORT: safe('sipPort', s.sipPort),
    WS_ADDR: safe('wsAddr', s.wsAddr),
    WS_PORT: safe('wsPort', s.wsPort),
    RPC_PORT: safe('rpcPort', s.rpcPort),
    EVAPI_PORT: safe('evapiPort', s.evapiPort),
    ACD_WAIT_CAP_MS: String(Math.round((s.acdWaitCapSeconds ?? 1800) * 1000)),
    CREDENTIAL_TTL: safe('credentialTtl', s.credentialTtl),
    RUN_DIR: safe('runDir', s.runDir),
    MODULES_DIR: safe('modulesDir', s.modulesDir),
    LOG_LEVEL: safe('logLevel', s.logLevel),
    LOG_PREFIX: '',
    RTPENGINE_DEFINE: s.rtpengineSock ? '#!define WITH_RTPENGINE' : '',
    RTPENGINE_SOCK: s.rtpengineSock ? safe('rtpengineSock', s.rtpengineSock) : '',
    TRUNK_ROUTES: renderTrunkRoutes(s.trunks ?? [], safe('hotlineNumber', s.hotlineNumber ?? '12345')),
    EXTERNAL_NUMBER,
    UDP_CHILDREN: String(s.udpChildren ?? 4),
    TCP_CHILDREN: String(s.tcpChildren ?? 8),
    // WSS = the WebSocket handshake over a TLS listener (Debian: kamailio-tls-modules).
    // enable_tls is a core switch: without it the tls module loads but no tls: socket opens.
    TLS_LISTEN: tls ? `enable_tls=yes\nlisten=tls:${safe('wsAddr', s.wsAddr)}:${safe('tls.port', tls.port)}` : '',
    TLS_MODULE: tls ? 'loadmodule "tls.so"' : '',
    // The default server domain from modparams alone: no tls.cfg (the module reads none unless
    // "config" names one, so Debian's /etc/kamailio/tls.cfg and its sample certificate stay out).
    // Browsers present no client certificate; agents authenticate with SIP credentials.
    TLS_PARAMS: tls
      ? [
          `modparam("tls", "certificate", "${safe('tls.certificate', tls.certificate)}")`,
          `modparam("tls", "private_key", "${safe('tls.privateKey', tls.privateKey)}")`,
          'modparam("tls", "tls_method", "TLSv1.2+")',
          'modparam("tls", "verify_certificate", 0)',
          'modparam("tls", "require_certificate", 0)',
        ].join('\n')
      : '',
  };
  const out = template.replace(/\{\{([A-Z_]+)\}\}/g, (_m, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`Kamailio template placeholder {{${key}}} has no value`);
    return v;
  });
  return out;
}

export function loadKamailioTemplate(path: string): string {
  return readFileSync(path, 'utf8');
}
