/** JSON-RPC to our Kamailio over its loopback-only HTTP port (jsonrpcs + xhttp). */
export class KamailioRpc {
  private nextId = 1;
  constructor(private readonly port: number, private readonly timeoutMs = 2000) {}

  async call<T = unknown>(method: string, ...params: (string | number)[]): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${this.port}/RPC`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method, params, id: this.nextId++ }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const body = (await res.json()) as { result?: T; error?: { code: number; message: string } };
    if (body.error) throw new Error(`kamailio ${method}: ${body.error.code} ${body.error.message}`);
    return body.result as T;
  }
}
