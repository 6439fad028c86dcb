/**
 * Sent Items per mailbox: what POST users/{id}/sendMail leaves behind, read back through
 * GET users/{id}/mailFolders/sentitems/messages as Graph message resources (newest first).
 */
import { randomUUID } from "node:crypto";
import type { GraphObject } from "./graph-object.js";

export interface OutgoingMessage {
  readonly subject?: string;
  readonly body?: { contentType?: string; content?: string };
  readonly toRecipients?: readonly GraphObject[];
  readonly ccRecipients?: readonly GraphObject[];
  readonly bccRecipients?: readonly GraphObject[];
  readonly [other: string]: unknown;
}

export interface Sender {
  readonly id: string;
  readonly displayName: string | null;
  readonly address: string;
}

export class Mailboxes {
  private readonly sentItems = new Map<string, GraphObject[]>();

  /** Stores the sent message as Graph would show it in the sender's Sent Items. */
  recordSent(sender: Sender, message: OutgoingMessage, sentAt: Date): GraphObject {
    const stamp = sentAt.toISOString().replace(/\.\d{3}Z$/, "Z");
    const from = { emailAddress: { name: sender.displayName ?? sender.address, address: sender.address } };
    const content = message.body?.content ?? "";
    const stored: GraphObject = {
      "@odata.etag": `W/"${randomUUID()}"`,
      id: Buffer.from(randomUUID()).toString("base64url"),
      createdDateTime: stamp,
      lastModifiedDateTime: stamp,
      changeKey: randomUUID(),
      categories: [],
      receivedDateTime: stamp,
      sentDateTime: stamp,
      hasAttachments: false,
      internetMessageId: `<${randomUUID()}@simulator.local>`,
      subject: message.subject ?? "",
      bodyPreview: content.replace(/<[^>]*>/g, "").slice(0, 255),
      importance: "normal",
      parentFolderId: "sentitems",
      conversationId: randomUUID(),
      isDeliveryReceiptRequested: false,
      isReadReceiptRequested: false,
      isRead: true,
      isDraft: false,
      inferenceClassification: "focused",
      body: { contentType: (message.body?.contentType ?? "text").toLowerCase(), content },
      sender: from,
      from,
      toRecipients: structuredClone(message.toRecipients ?? []),
      ccRecipients: structuredClone(message.ccRecipients ?? []),
      bccRecipients: structuredClone(message.bccRecipients ?? []),
      replyTo: [],
      flag: { flagStatus: "notFlagged" },
    };
    const list = this.sentItems.get(sender.id.toLowerCase()) ?? [];
    list.unshift(stored);
    this.sentItems.set(sender.id.toLowerCase(), list);
    return stored;
  }

  sent(userId: string): readonly GraphObject[] {
    return this.sentItems.get(userId.toLowerCase()) ?? [];
  }

  clear(): void {
    this.sentItems.clear();
  }
}
