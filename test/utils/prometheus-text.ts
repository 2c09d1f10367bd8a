/**
 * A strict reader of the Prometheus text exposition format (0.0.4), enough to check what the
 * service exposes: # HELP and # TYPE lines, then samples `name{label="value",…} value`. Throws on
 * a line it cannot read, so a malformed exposition fails the test rather than being skipped.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string): Family => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: 'untyped', help: '', samples: [] };
      families.set(name, f);
    }
    return f;
  };
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'HELP') family(meta[2]!).help = meta[3]!;
      else family(meta[2]!).type = meta[3]!;
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`line ${i + 1} is not a sample: ${line}`);
    const [, name, labelText = '', valueText] = m;
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < labelText.length) {
      const l = LABEL.exec(labelText);
      if (!l) throw new Error(`line ${i + 1}: unreadable labels: ${labelText}`);
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    // Prometheus reads values with Go's strconv.ParseFloat, which takes NaN in any case: prom-client
    // writes `Nan` (nodejs_eventloop_lag_*_seconds before the first event-loop sample, a fresh process).
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : /^nan$/i.test(valueText!) ? NaN : Number(valueText);
    if (Number.isNaN(value) && !/^nan$/i.test(valueText!)) throw new Error(`line ${i + 1}: bad value ${valueText} in ${line}`);
    // A histogram's _bucket/_sum/_count samples belong to the family declared by # TYPE.
    const base = families.has(name!) ? name! : name!.replace(/_(bucket|sum|count)$/, '');
    family(families.has(base) ? base : name!).samples.push({ name: name!, labels, value });
  }
  return families;
}

/** Every series (sample name and labels) of the families whose names start with `prefix`, as sortable keys. */
export function seriesKeys(families: Map<string, Family>, prefix: string): string[] {
  const keys: string[] = [];
  for (const f of families.values()) {
    if (!f.name.startsWith(prefix)) continue;
    for (const s of f.samples) {
      const labels = Object.entries(s.labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
      keys.push(`${s.name}{${labels.join(',')}}`);
    }
  }
  return keys.sort();
}

/** The value of the one sample of `name` whose labels include `labels` (0 when there is none; throws when several match). */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const base = families.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
  const matches = (families.get(base)?.samples ?? []).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (matches.length > 1) throw new Error(`${matches.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return matches[0]?.value ?? 0;
}

/** The sum over every sample of `name` whose labels include `labels`. */
export function sampleSum(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const base = families.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
  return (families.get(base)?.samples ?? [])
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
