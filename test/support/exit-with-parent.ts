/**
 * For test child processes (lock-holder, crash-writer): exit when the test process that started
 * them is gone. A test killed from outside (a timeout of the test runner or of the mutation tool)
 * cannot kill its children; without this they would wait forever, holding their lock and memory.
 * Test-only.
 */
export function exitWithParent(): void {
  const parent = process.ppid;
  // process.ppid is read from the OS each time: an orphan is adopted by another process.
  setInterval(() => {
    if (process.ppid !== parent) process.exit(70);
  }, 250).unref();
}
