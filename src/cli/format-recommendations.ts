import type { Recommendation } from '../document/report.js';
import { ms } from './format-report.js';

/** A session's recommendations as text: a header line each (severity, kind, tool, saving), its advice below. */
export function formatRecommendations(recommendations: readonly Recommendation[]): string[] {
  if (recommendations.length === 0) return [];
  const lines = [`recommendations (${recommendations.length}, the largest estimated saving first)`];
  for (const { severity, kind, tool, estimatedSavingMs, advice } of recommendations) {
    lines.push(`  ${severity.toUpperCase().padEnd(8)} ${kind}  ${tool}  saves ~${ms(estimatedSavingMs)} ms`, ...wrap(advice, 100).map((line) => `           ${line}`));
  }
  return lines;
}

/** `text` in lines of at most `width` characters, broken between words. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
