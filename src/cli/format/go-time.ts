// Go's time.Time.String() layout ("2006-01-02 15:04:05 -0700 MST") in the local zone, which
// docker prints for CreatedAt in ps and images.

function pad(n: number, len = 2): string {
  return String(n).padStart(len, '0');
}

export function goTimeString(date: Date): string {
  const offsetMin = -date.getTimezoneOffset();
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const offset = `${sign}${pad(Math.trunc(abs / 60))}${pad(abs % 60)}`;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} `
    + `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${offset} ${zoneName(date, offset)}`;
}

function zoneName(date: Date, offset: string): string {
  if (date.getTimezoneOffset() === 0 && (process.env['TZ'] ?? 'UTC').match(/^(UTC|Etc\/UTC|)$/)) return 'UTC';
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(date).find((p) => p.type === 'timeZoneName')?.value;
  // Go prints "+01" for zones without an abbreviation; Intl gives "GMT+1".
  if (part === undefined || part.startsWith('GMT')) return offset.slice(0, 3) + (offset.endsWith('00') ? '' : offset.slice(3));
  return part;
}
