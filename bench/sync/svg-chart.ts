/**
 * The sync benchmark's chart: two horizontal bar panels (wall seconds, peak RSS MB) per
 * contender, as hand-written SVG (no dependency).
 */

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Two horizontal bar panels (wall seconds, peak RSS MB), hand-written SVG. */
export function svgChart(title: string, subtitle: string, rows: Array<{ label: string; wall: number; rss: number; highlight: boolean }>): string {
  const labelW = 215;
  const panelW = 330;
  const gap = 40;
  const rowH = 26;
  const top = 78;
  const width = labelW + panelW * 2 + gap + 30;
  const height = top + rows.length * rowH + 40;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  parts.push(`<text x="12" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);
  parts.push(`<text x="12" y="40" fill="#555">${escapeXml(subtitle)}</text>`);
  const panels: Array<{ key: 'wall' | 'rss'; name: string; x: number; digits: number }> = [
    { key: 'wall', name: 'wall time, s (median, lower is better)', x: labelW, digits: 2 },
    { key: 'rss', name: 'peak RSS, MB (median, lower is better)', x: labelW + panelW + gap, digits: 0 },
  ];
  for (const panel of panels) {
    const max = Math.max(...rows.map((r) => (Number.isFinite(r[panel.key]) ? r[panel.key] : 0)), 1e-9);
    const barMax = panelW - 60;
    parts.push(`<text x="${panel.x}" y="${top - 14}" font-weight="bold">${escapeXml(panel.name)}</text>`);
    parts.push(`<line x1="${panel.x}" y1="${top - 6}" x2="${panel.x}" y2="${top + rows.length * rowH}" stroke="#999"/>`);
    rows.forEach((row, i) => {
      const value = row[panel.key];
      const y = top + i * rowH;
      const w = Number.isFinite(value) ? Math.max(1, (value / max) * barMax) : 0;
      const colour = row.highlight ? '#2b6cb0' : '#a0aec0';
      parts.push(`<rect x="${panel.x}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 9}" fill="${colour}"/>`);
      parts.push(`<text x="${(panel.x + w + 5).toFixed(1)}" y="${y + rowH / 2 + 4}">${Number.isFinite(value) ? value.toFixed(panel.digits) : 'n/a'}</text>`);
    });
  }
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    parts.push(`<text x="${labelW - 8}" y="${y + rowH / 2 + 4}" text-anchor="end"${row.highlight ? ' font-weight="bold"' : ''}>${escapeXml(row.label)}</text>`);
  });
  parts.push(`<text x="12" y="${height - 12}" fill="#777" font-size="11">Timing noise on this machine is ±20–30 %: compare ratios within one run, not absolute numbers across runs.</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
