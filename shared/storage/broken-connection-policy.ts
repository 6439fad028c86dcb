import type { PipelinePolicy } from "@azure/core-rest-pipeline";

/** Times a request is sent again after its connection broke while it was being written. */
const MAX_RESENDS = 3;
const FIRST_DELAY_IN_MS = 50;

/**
 * Sends a Table request again when writing it failed with EPIPE (the server had closed the
 * kept-alive socket): the request never reached the service, so even a conditional write is safe
 * to repeat. The Storage SDKs' own retry policy treats EPIPE as retriable; @azure/data-tables'
 * default pipeline does not (it retries ECONNRESET and timeouts only), and under load one such
 * error would otherwise fail a whole scan invocation.
 */
export function resendOnBrokenPipePolicy(): PipelinePolicy {
  return {
    name: "resendOnBrokenPipe",
    async sendRequest(request, next) {
      for (let resends = 0; ; resends++) {
        try {
          return await next(request);
        } catch (error) {
          if (resends >= MAX_RESENDS || (error as { code?: unknown }).code !== "EPIPE") throw error;
          await new Promise((resolve) => setTimeout(resolve, FIRST_DELAY_IN_MS * 2 ** resends));
        }
      }
    },
  };
}
