import type { z } from "zod";

export class InvalidMessageError extends Error {
  override readonly name = "InvalidMessageError";
}

/**
 * Checks a queue message before anything acts on it. The Functions host has already decoded the
 * base64 and, for JSON, parsed it; the local pump passes the same shape.
 */
export function parseQueueMessage<T>(schema: z.ZodType<T>, queueName: string, message: unknown): T {
  const value = typeof message === "string" ? parseJson(message, queueName) : message;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "message"} ${i.message}`).join("; ");
    throw new InvalidMessageError(`Invalid ${queueName} message: ${problems}`);
  }
  return parsed.data;
}

function parseJson(text: string, queueName: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidMessageError(`Invalid ${queueName} message: not JSON`);
  }
}
