// A stand-in for the `pulumi` executable, for tests only: it records every call and every signal
// it receives in $FAKE_PULUMI_LOG, and behaves as $FAKE_PULUMI_MODE says. Engine events go to the
// Automation API the way the real CLI sends them (gRPC to the --event-log tcp:// address).
"use strict";
const fs = require("fs");
const path = require("path");

const args = process.argv.slice(2);
const log = (line) => fs.appendFileSync(process.env.FAKE_PULUMI_LOG, `${line}\n`);
const mode = process.env.FAKE_PULUMI_MODE || "ok";
const command = args.find((a) => !a.startsWith("-")) || "";
log(`call ${args.join(" ")}`);

if (command === "version") {
    process.stdout.write(`${process.env.FAKE_PULUMI_VERSION || "v3.276.0"}\n`);
    process.exit(0);
}
if (command === "stack" && args.includes("history")) {
    process.stdout.write("[]\n");
    process.exit(0);
}
if (command === "stack" && args.includes("output")) {
    // The stack's outputs as `pulumi stack output --json` prints them; none by default.
    process.stdout.write(`${process.env.FAKE_PULUMI_OUTPUTS || "{}"}\n`);
    process.exit(0);
}
if (!["preview", "up", "refresh", "destroy"].includes(command)) process.exit(0);

const eventLog = args[args.indexOf("--event-log") + 1];

function sendEvents(events) {
    const root = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const grpc = require("@grpc/grpc-js");
    const pb = require(path.join(root, "proto", "events_pb.js"));
    const services = require(path.join(root, "proto", "events_grpc_pb.js"));
    const client = new services.EventsClient(eventLog.replace(/^tcp:\/\//, ""), grpc.credentials.createInsecure());
    return new Promise((resolve, reject) => {
        const call = client.streamEvents((error) => (error ? reject(error) : resolve()));
        events.forEach((event, sequence) => {
            const request = new pb.EventRequest();
            request.setEvent(JSON.stringify({ sequence, timestamp: 0, ...event }));
            call.write(request);
        });
        call.end();
    });
}

const summary = { summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: { same: 3 }, policyPacks: {} } };

/** A successful run: the CLI's first line, the engine's summary event, exit 0 (1 if the events cannot be sent). */
function previewAndSucceed() {
    process.stdout.write(`Previewing ${command}\n`);
    sendEvents([summary]).then(
        () => process.exit(0),
        (e) => {
            log(`grpc ${e.message}`);
            process.exit(1);
        },
    );
}

switch (mode) {
    case "ok":
        previewAndSucceed();
        break;
    case "wait-release": {
        // Runs until the test creates $FAKE_PULUMI_LOG.release, then succeeds: lets a test see
        // which operations are running at the same time.
        log(`running ${command} ${args[args.indexOf("--stack") + 1]}`);
        const release = `${process.env.FAKE_PULUMI_LOG}.release`;
        const poll = setInterval(() => {
            if (!fs.existsSync(release)) return;
            clearInterval(poll);
            previewAndSucceed();
        }, 20);
        break;
    }
    case "no-summary":
        process.stdout.write("Previewing update\n");
        process.exit(0);
        break;
    case "fails":
        process.stderr.write("warning: the first warning\n");
        setTimeout(() => {
            process.stderr.write("error: the cloud said no: AccessDenied\n");
            process.exit(255);
        }, 50);
        break;
    case "hang":
    case "slow-cancel":
    case "ignore-interrupt": {
        let interrupts = 0;
        process.on("SIGINT", () => {
            interrupts += 1;
            log("signal SIGINT");
            if (mode === "ignore-interrupt") return;
            const stop = () => {
                process.stderr.write("error: update canceled\n");
                process.exit(255);
            };
            if (mode === "hang") return stop();
            // slow-cancel: finish "in-flight operations" only once the test says so.
            const release = `${process.env.FAKE_PULUMI_LOG}.release`;
            const poll = setInterval(() => fs.existsSync(release) && (clearInterval(poll), stop()), 20);
        });
        process.on("SIGTERM", () => {
            log("signal SIGTERM");
            process.exit(143);
        });
        log("running");
        setInterval(() => undefined, 1000);
        break;
    }
}
