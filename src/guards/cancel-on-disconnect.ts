import type { Plugin } from 'graphql-yoga';
import { runInRequestScope } from '../db/cancel.ts';

/**
 * Runs each HTTP request (its context, its execution, and a server-sent-event stream for as long
 * as it is open) in a request scope tied to `request.signal`, which aborts when the client
 * disconnects: the request's running SQL statements are then cancelled (src/db/cancel.ts).
 * WebSocket operations carry no fetch Request and are not scoped.
 */
export function useCancelOnDisconnect(): Plugin {
  return {
    instrumentation: {
      request({ request }, wrapped) {
        const signal = (request as Request | undefined)?.signal;
        return signal ? runInRequestScope(signal, wrapped) : wrapped();
      },
    },
  };
}
