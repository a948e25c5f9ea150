/** Do-Not-Cancel: the mandatory retention period a Customer Key subscription must have. */

/** The feature that makes a subscription "Do Not Cancel" (mandatory retention period). */
export const DO_NOT_CANCEL_NAMESPACE = "Microsoft.Resources";
/** The feature name of Do-Not-Cancel (mandatory retention period). */
export const DO_NOT_CANCEL_FEATURE_NAME = "mandatoryRetentionPeriodEnabled";
/** The resource provider Customer Key vaults need, registered once the feature is approved. */
export const KEY_VAULT_PROVIDER = "Microsoft.KeyVault";
