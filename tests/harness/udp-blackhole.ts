/**
 * Kills a media path the way a network change does: every UDP packet to the given local
 * ports is dropped (iptables and ip6tables INPUT rules; needs root, as CI runs). Only these
 * ports are touched, so other tests on the machine are unaffected.
 */
import { execFileSync } from 'node:child_process';

export interface UdpBlackhole {
  ports: number[];
  restore(): void;
}

const active = new Set<UdpBlackhole>();

export function blockUdpPorts(ports: number[]): UdpBlackhole {
  const rules: [string, string[]][] = [];
  const hole: UdpBlackhole = {
    ports: [...new Set(ports)],
    restore() {
      for (const [bin, rule] of rules.splice(0)) {
        try {
          execFileSync(bin, ['-D', ...rule], { stdio: 'ignore' });
        } catch {
          // already gone
        }
      }
      active.delete(hole);
    },
  };
  active.add(hole);
  try {
    for (const port of hole.ports) {
      for (const bin of ['iptables', 'ip6tables']) {
        const rule = ['INPUT', '-p', 'udp', '--dport', String(port), '-j', 'DROP'];
        execFileSync(bin, ['-I', ...rule], { stdio: ['ignore', 'ignore', 'pipe'] });
        rules.push([bin, rule]);
      }
    }
  } catch (err) {
    hole.restore();
    throw new Error(`cannot drop UDP packets (root and iptables needed: apt-get install iptables): ${(err as Error).message}`);
  }
  return hole;
}

/** Removes every rule this process still holds (afterAll). */
export function restoreAllUdpPorts(): void {
  for (const hole of [...active]) hole.restore();
}
