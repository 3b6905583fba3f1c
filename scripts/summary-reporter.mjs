// Prints the plain "N passed, N failed" line CI reads (vitest's own summary is not machine-read there).

/** A test that never ran because a hook or the file around it failed (beforeAll threw) is a failure, not a skip. */
function underBrokenSuite(test) {
  for (let parent = test.parent; parent; parent = parent.parent) {
    if (parent.errors?.().length) return true;
  }
  return false;
}

export default class SummaryReporter {
  onTestRunEnd(testModules, unhandledErrors) {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed' || underBrokenSuite(test)) failed++;
        else skipped++;
      }
      if (module.state() === 'failed' && module.children.size === 0) failed++;
    }
    failed += unhandledErrors?.length ?? 0;
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
