/** One measured figure, printed by bench/run.ts. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  extra?: string;
}

export function printResults(section: string, results: BenchResult[]): void {
  process.stdout.write(`\n## ${section}\n`);
  for (const r of results) {
    const v = r.unit === 'ratio' ? r.value.toFixed(2) : r.value >= 100 ? Math.round(r.value).toString() : r.value.toFixed(1);
    process.stdout.write(`  ${r.name.padEnd(64)} ${v.padStart(9)} ${r.unit}${r.extra ? `   (${r.extra})` : ''}\n`);
  }
}
