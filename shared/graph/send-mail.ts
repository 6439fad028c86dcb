import type { TenantGraph } from "./client.js";

/** One HTML email to some addresses (the approval digest, the outbound-events email). */
export interface MailMessage {
  /** UPN or user id of the sending mailbox (MAIL_SENDER). */
  readonly sender: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly html: string;
}

const MAIL_ADDRESS = /^[^@\s]+@[^@\s]+$/;

/** Trimmed, valid-looking addresses, each once (case-insensitive). */
export function mailAddresses(addresses: readonly string[]): string[] {
  const seen = new Set<string>();
  return addresses
    .map((address) => address.trim())
    .filter((address) => {
      const key = address.toLowerCase();
      if (!MAIL_ADDRESS.test(address) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/**
 * POST /users/{sender}/sendMail: one HTML message to every address, kept in the sender's Sent
 * Items. Needs the Mail.Send application permission in the sender's tenant. Graph errors propagate.
 */
export async function sendMail(graph: TenantGraph, message: MailMessage): Promise<void> {
  const to = mailAddresses(message.to);
  if (to.length === 0) throw new RangeError("No valid address to send the email to");
  if (message.sender.trim() === "") throw new RangeError("The email needs a sender mailbox");
  await graph.client.api(`/users/${encodeURIComponent(message.sender)}/sendMail`).post({
    message: {
      subject: message.subject,
      body: { contentType: "HTML", content: message.html },
      toRecipients: to.map((address) => ({ emailAddress: { address } })),
    },
    saveToSentItems: true,
  });
}
