// Preloaded (`node --require`) into a child process under test: on exit, writes the process's peak resident
// memory in kB to the file named by PEAK_RSS_FILE, so a test can tell a stream from a buffer.
process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.PEAK_RSS_FILE, String(process.resourceUsage().maxRSS));
});
