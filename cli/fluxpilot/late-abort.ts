/**
 * The Automation API hears a cancel only through an "abort" listener that it adds once it has
 * started `pulumi` (automation/cmd.js, `exec`), after `up` or `preview` has prepared its event
 * log and arguments. An AbortSignal fires once: a signal that arrives in between is never heard,
 * Pulumi runs the whole update, and FluxPilot gives up after --cancel-wait with the stack still
 * being changed. The operation therefore gets a relay that fires only when someone listens.
 */

/**
 * A signal that follows `source`, but fires for a listener added after `source` aborted too:
 * each "abort" listener is called once, whenever it was added.
 */
export function relayAbort(source: AbortSignal): AbortSignal {
    const relay = new AbortController();
    const signal = relay.signal;
    const add = signal.addEventListener.bind(signal);
    let listening = false;
    const fire = () => {
        if (listening && !signal.aborted) relay.abort(source.reason);
    };
    source.addEventListener("abort", fire, { once: true });
    const addEventListener = (...args: Parameters<AbortSignal["addEventListener"]>): void => {
        const [type, listener] = args;
        if (type !== "abort") return add(...args);
        if (signal.aborted) {
            // Already fired for an earlier listener: this one hears it on the next turn, as it would have.
            const event = new Event("abort");
            queueMicrotask(() => (typeof listener === "function" ? listener.call(signal, event) : listener.handleEvent(event)));
            return;
        }
        add(...args);
        listening = true;
        if (source.aborted) fire();
    };
    signal.addEventListener = addEventListener;
    return signal;
}
