"use strict";
// Mocha's spec reporter, followed by one closing line "N passed, N failed" that CI reads.
const Mocha = require("mocha");
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
    constructor(runner, options) {
        super(runner, options);
        runner.once(EVENT_RUN_END, () => {
            const { passes = 0, failures = 0, pending = 0 } = runner.stats || {};
            const skipped = pending > 0 ? `, ${pending} skipped` : "";
            process.stdout.write(`\n${passes} passed, ${failures} failed${skipped}\n`);
        });
    }
}

module.exports = SummaryReporter;
