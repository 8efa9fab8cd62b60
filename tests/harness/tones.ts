/**
 * Sine-tone WAV files for fake microphones, so each party's audio is identifiable by
 * frequency on the other side (caller 440 Hz, agent 880 Hz, second agent 660 Hz,
 * supervisor 1320 Hz). Generated with sox (Debian) once per run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

export const TONES = { caller: 440, agent: 880, agent2: 660, supervisor: 1320 } as const;

const dir = join(tmpdir(), 'hotline-test-tones');

/** A 48 kHz mono 16-bit WAV of a steady sine (Chromium loops the fake capture file). */
export function toneWav(hz: number, seconds = 60): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `sine-${hz}.wav`);
  if (!existsSync(file)) {
    execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', file, 'synth', String(seconds), 'sine', String(hz), 'vol', '0.5']);
  }
  return file;
}
