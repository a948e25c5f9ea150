/**
 * What a mailbox (recipient) identity may be: a UPN, alias, GUID or SMTP address, never empty and
 * never with a line break or another control character: an identity that holds one is someone's
 * script, not a mailbox. policies/exchange checks assignments with the same rule.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function isMailboxIdentity(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "" && !CONTROL.test(value);
}
