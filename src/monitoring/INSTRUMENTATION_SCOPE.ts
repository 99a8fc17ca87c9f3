/** The instrumentation scope of every tracer and meter xeno-scheduler asks for. */
export const INSTRUMENTATION_SCOPE = 'xeno-scheduler';
