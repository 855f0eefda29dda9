// Runs a Pulumi Node.js program (JavaScript or TypeScript) for mlinfra's offline plan (mlinfra/node_program.py).
//
// The program runs as the Node.js language host runs it: @pulumi/pulumi's own cmd/run `run()` (entry point from
// package.json, TypeScript through ts-node, ES modules, the stack resource), found in the program's node_modules.
// Instead of the engine's gRPC monitor, the SDK's mock options point it at a monitor whose requests that make
// the plan (register, read, invoke, register outputs) go to the parent process as protobuf bytes, one JSON line
// each on one pipe; the answers come back on another. Everything else (features, packages, transforms) the SDK's
// own MockMonitor answers. Usage: node node_runner.js PROGRAM_DIR PROJECT STACK ORGANIZATION WRITE_FD READ_FD
"use strict";
const fs = require("fs");
const path = require("path");
const net = require("net");
const readline = require("readline");

const [programDir, project, stack, organization, writeFd, readFd] = process.argv.slice(2);
// A socket, not fs.createReadStream: a pipe read that fs leaves pending in libuv's thread pool would hold
// process.exit() until the parent closed the pipe, and the parent waits for our last line first.
const fromParent = new net.Socket({ fd: Number(readFd), readable: true, writable: false });

// Every line is written synchronously, whole and in order (a line beside a stream's could land inside a request
// the thread pool is still writing: a pipe keeps only writes of up to 4 KiB whole). The parent reads our lines
// without ever waiting to write its answers (they go out from a thread of their own), so a full pipe only slows us.
function send(message) {
    const bytes = Buffer.from(JSON.stringify(message) + "\n");
    for (let written = 0; written < bytes.length;) {
        written += fs.writeSync(Number(writeFd), bytes, written);
    }
}

let ended = false;
function finish(message, code) {
    // Synchronous, then exit at once: an unhandled error's other listeners (run()'s, below) never run.
    ended = true;
    send(message);
    process.exit(code);
}
// The SDK ends the process itself where it has told the user why on stderr (no entry point: exit code 32).
process.on("exit", (code) => {
    if (!ended) {
        ended = true;
        send({ exited: code });
    }
});

let sdk;
try {
    sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [programDir] }));
} catch (err) {
    finish({ failed: "@pulumi/pulumi is not installed for the program", missing: "@pulumi/pulumi" }, 3);
    return;
}
const settings = require(path.join(sdk, "runtime", "settings"));
const { MockMonitor } = require(path.join(sdk, "runtime", "mocks"));
const resproto = require(path.join(sdk, "proto", "resource_pb"));
const provproto = require(path.join(sdk, "proto", "provider_pb"));
// cmd/run/run.js requires cmd/run/index.js for one exit-code constant, and index.js starts the language
// host's own main (which wants the engine's --monitor address) when it loads: it is stood in for here.
const Module = require("module");
const hostIndex = require.resolve(path.join(sdk, "cmd", "run", "index.js"));
const standIn = new Module(hostIndex, module);
standIn.filename = hostIndex;
standIn.loaded = true;
standIn.exports = { nodeJSProcessExitedAfterLoggingUserActionableMessage: 32 };
require.cache[hostIndex] = standIn;
const { run } = require(path.join(sdk, "cmd", "run", "run"));

const pending = new Map();
let nextId = 0;
readline.createInterface({ input: fromParent }).on("line", (line) => {
    const reply = JSON.parse(line);
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.error !== undefined) {
        waiter.reject(new Error(reply.error));
    } else {
        waiter.resolve(Buffer.from(reply.body, "base64"));
    }
});

function forward(method, responseType) {
    return (request, callback) => {
        const id = nextId++;
        new Promise((resolve, reject) => {
            pending.set(id, { resolve, reject });
            const body = Buffer.from(request.serializeBinary()).toString("base64");
            send({ id, method, body });
        }).then(
            (bytes) => callback(null, responseType ? responseType.deserializeBinary(bytes) : {}),
            (err) => callback(err, undefined));
    };
}

const monitor = new MockMonitor({
    newResource: () => { throw new Error("registrations go to the parent process"); },
    call: () => { throw new Error("invokes go to the parent process"); },
});
monitor.registerResource = forward("RegisterResource", resproto.RegisterResourceResponse);
monitor.readResource = forward("ReadResource", resproto.ReadResourceResponse);
monitor.invoke = forward("Invoke", resproto.ResourceInvokeResponse);
monitor.call = forward("Call", provproto.CallResponse);  // a resource's method: its result is unknown offline
monitor.registerResourceOutputs = forward("RegisterResourceOutputs", null);
settings.setMockOptions(monitor, project, stack, /* preview */ true, organization);

// The language host's default: TypeScript on unless Pulumi.yaml's runtime.options.typescript is false.
if (process.env.PULUMI_NODEJS_TYPESCRIPT === undefined) {
    process.env.PULUMI_NODEJS_TYPESCRIPT = "true";
}
if (process.env.PULUMI_NODEJS_TRANSPILE_ONLY === undefined) {
    process.env.PULUMI_NODEJS_TRANSPILE_ONLY = "true";  // the plan judges what a program declares, not its types
}
// An ES module program ("type": "module") is compiled by ts-node's ESM hooks (cmd/run/hooks.js), which call
// tsn.register(options) while the hooks module loads, before initialize() has handed them run()'s options: they
// get none, and ts-node type-checks. ts-node's own variable reaches them.
if (process.env.PULUMI_NODEJS_TRANSPILE_ONLY === "true" && process.env.TS_NODE_TRANSPILE_ONLY === undefined) {
    process.env.TS_NODE_TRANSPILE_ONLY = "true";
}

// The first error the program leaves unhandled (a throw in an apply, a rejected promise; the listeners below), or
// one run() reports loading it: the language host would end the program with exit code 32 once its event loop
// empties, but the pipe from the parent keeps ours busy, so the plan stops at the first one.
function failed(err) {
    const missing = err && err.code === "MODULE_NOT_FOUND" ? /'([^']+)'/.exec(String(err.message)) : null;
    // Not always an Error: ts-node's ESM hooks run in a worker thread, and what they throw arrives as a plain
    // object (String() of one without a prototype throws itself).
    const described = err && typeof err.message === "string" ? `${err.name || "Error"}: ${err.message}`
        : require("util").inspect(err, { depth: 2, breakLength: Infinity });
    // The SDK's ConfigMissingError (config.js): the parent words it as for a Python program.
    const config = err && err.constructor && err.constructor.name === "ConfigMissingError"
        && typeof err.key === "string" ? { key: err.key, secret: Boolean(err.secret) } : undefined;
    finish({
        failed: described,
        config,
        where: err && typeof err.stack === "string" ? err.stack.split("\n").slice(1).map((l) => l.trim()) : [],
        missing: missing ? missing[1] : undefined,
    }, 1);
}

// Ours, installed before run()'s own, run first and end the plan: run()'s handler formats the error with
// util.inspect (cmd/run/error.js defaultErrorMessage), which for an error thrown inside an apply walks the SDK's
// output machinery it carries: most of a minute and gigabytes for a program of twenty resources
// (pulumi/pulumi#20567 and #21326 are its RangeErrors).
process.on("uncaughtException", failed);
process.on("unhandledRejection", failed);

run({ _: ["."], pwd: programDir }, () => {}, failed, () => false)
    .then(() => settings.waitForRPCs())
    // One more turn of the event loop: a rejection nothing handles (a throw in an apply that resolved with the
    // last answer) is reported at its end, and would end the language host's run as well.
    .then(() => new Promise((resolve) => setImmediate(resolve)))
    .then(() => finish({ done: true }, 0))
    .catch(failed);
