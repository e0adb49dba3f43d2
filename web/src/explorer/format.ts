// Formatting of numbers, money, sizes, durations and times for people.

const intFmt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function fmtInt(n: number | null | undefined): string {
  return n == null ? '—' : intFmt.format(n);
}

/** 1.2k, 3.4M: for tight cells; the title attribute carries the exact value. */
export function fmtCompact(n: number | null | undefined): string {
  if (n == null) return '—';
  if (Math.abs(n) < 10_000) return intFmt.format(n);
  return new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

/** USD with enough significant digits for sub-cent LLM prices. */
export function fmtCost(usd: number | null | undefined): string {
  if (usd == null) return '—';
  if (usd === 0) return '$0';
  const abs = Math.abs(usd);
  let s: string;
  if (abs >= 100) s = abs.toFixed(0);
  else if (abs >= 1) s = abs.toFixed(2);
  else if (abs >= 0.01) s = abs.toFixed(4);
  else s = abs.toPrecision(3).replace(/0+$/, '').replace(/\.$/, '');
  if (s.includes('e')) s = abs.toFixed(8).replace(/0+$/, '');
  return (usd < 0 ? '−$' : '$') + s;
}

/** A ratio as a percentage: 0 %, 4.2 %, 33 %, 100 %. */
export function fmtPercent(ratio: number | null | undefined): string {
  if (ratio == null || Number.isNaN(ratio)) return '—';
  const pct = ratio * 100;
  if (pct === 0) return '0%';
  if (Math.abs(pct) < 10) return `${+pct.toFixed(1)}%`;
  return `${Math.round(pct)}%`;
}

/** Seconds as 287 ms, 1.42 s, 2 m 05 s, 3 h 12 m, 11 d 16 h. */
export function fmtDuration(sec: number | null | undefined): string {
  if (sec == null || Number.isNaN(sec)) return '—';
  if (sec < 0) return '−' + fmtDuration(-sec);
  if (sec < 1) return `${Math.round(sec * 1000)} ms`;
  if (sec < 10) return `${sec.toFixed(2)} s`;
  if (sec < 60) return `${sec.toFixed(1)} s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (sec < 3600) return `${Math.floor(sec / 60)} m ${pad(Math.floor(sec % 60))} s`;
  if (sec < 86400) return `${Math.floor(sec / 3600)} h ${pad(Math.floor((sec % 3600) / 60))} m`;
  return `${Math.floor(sec / 86400)} d ${Math.floor((sec % 86400) / 3600)} h`;
}

/** Axis labels: short, without trailing zeros. */
export function fmtOffset(sec: number): string {
  if (sec === 0) return '0';
  if (sec < 1) return `${+(sec * 1000).toFixed(0)}ms`;
  if (sec < 60) return `${+sec.toFixed(sec < 10 ? 1 : 0)}s`;
  if (sec < 3600) return `${+(sec / 60).toFixed(1)}m`;
  return `${+(sec / 3600).toFixed(1)}h`;
}

export function fmtBytes(b: number | null | undefined): string {
  if (b == null) return '—';
  const abs = Math.abs(b);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = abs;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const s = i === 0 ? String(v) : v.toFixed(v < 10 ? 1 : 0);
  return `${b < 0 ? '−' : ''}${s} ${units[i]}`;
}

const dateTimeFmt = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});
const dateFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const timeMsFmt = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, hourCycle: 'h23',
});

export function fmtDateTime(iso: string | null | undefined): string {
  return iso ? dateTimeFmt.format(new Date(iso)) : '—';
}

export function fmtDate(iso: string | null | undefined): string {
  return iso ? dateFmt.format(new Date(iso)) : '—';
}

/** 03:00:52.708 in local time. */
export function fmtTimeMs(iso: string | null | undefined): string {
  return iso ? timeMsFmt.format(new Date(iso)) : '—';
}

/** Jan 5 – Jan 18, 2026 */
export function fmtSpan(start: string | null | undefined, end: string | null | undefined): string {
  if (!start) return 'no traces yet';
  if (!end) return `${fmtDate(start)} – running`;
  try {
    return dateFmt.formatRange(new Date(start), new Date(end));
  } catch {
    return `${fmtDate(start)} – ${fmtDate(end)}`;
  }
}

export function plural(n: number, one: string, many = one + 's'): string {
  return `${fmtInt(n)} ${n === 1 ? one : many}`;
}

/** The text pretty-printed when it is a JSON object or array, else null. */
export function prettyJSON(text: string | null | undefined): string | null {
  if (!text) return null;
  const t = text.trim();
  if (!(t.startsWith('{') && t.endsWith('}')) && !(t.startsWith('[') && t.endsWith(']'))) return null;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return null;
  }
}

/** Unwraps JSON strings nested inside JSON (tool call arguments are often double-encoded). */
export function deepParseJSON(v: unknown, depth = 0): unknown {
  if (depth > 4) return v;
  if (typeof v === 'string') {
    const t = v.trim();
    if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
      try {
        return deepParseJSON(JSON.parse(t), depth + 1);
      } catch {
        return v;
      }
    }
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => deepParseJSON(x, depth + 1));
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepParseJSON(x, depth + 1)]));
  }
  return v;
}
