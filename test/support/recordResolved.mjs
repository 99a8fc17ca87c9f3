// Module customization hooks (run in Node's hooks thread): report every resolved URL over the
// port handed to initialize(), in order; answer 'flush' once everything before it was sent.
let port;

export function initialize(data) {
  port = data.port;
  port.on('message', (message) => {
    if (message === 'flush') port.postMessage({ flushed: true });
  });
  port.unref();
}

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  port.postMessage(result.url);
  return result;
}
