/** A one-line progress bar on stderr, redrawn at most every 100 ms. */
export function progressBar(label: string) {
  let last = 0;
  const draw = (done: number, total: number) => {
    const ratio = total > 0 ? Math.min(done / total, 1) : 0;
    const width = 30;
    const filled = Math.round(ratio * width);
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(ratio * 100).toFixed(1)}% ${done}/${total}`);
  };
  return {
    update(done: number, total: number) {
      if (Date.now() - last < 100) return;
      last = Date.now();
      draw(done, total);
    },
    finish(done: number, total: number) {
      draw(done, total);
      process.stderr.write('\n');
    },
  };
}
