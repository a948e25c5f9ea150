/**
 * ARM region names (the `name` of `GET /subscriptions/{id}/locations`) of Azure's public cloud
 * regions that host Key Vault. Locations are compared case- and space-insensitively, as ARM
 * accepts "West Europe" for "westeurope".
 */
export const AZURE_REGIONS: readonly string[] = [
  "eastus", "eastus2", "southcentralus", "westus2", "westus3", "australiaeast", "southeastasia", "northeurope",
  "swedencentral", "uksouth", "westeurope", "centralus", "southafricanorth", "centralindia", "eastasia",
  "japaneast", "koreacentral", "canadacentral", "francecentral", "germanywestcentral", "italynorth",
  "norwayeast", "polandcentral", "spaincentral", "switzerlandnorth", "mexicocentral", "uaenorth",
  "brazilsouth", "israelcentral", "qatarcentral", "newzealandnorth", "northcentralus", "westus",
  "westcentralus", "southafricawest", "australiacentral", "australiacentral2", "australiasoutheast",
  "japanwest", "jioindiawest", "koreasouth", "southindia", "westindia", "canadaeast", "francesouth",
  "germanynorth", "norwaywest", "switzerlandwest", "ukwest", "uaecentral", "brazilsoutheast", "jioindiacentral",
  "swedensouth", "austriaeast", "belgiumcentral", "chilecentral", "indonesiacentral", "malaysiawest",
];

/** The ARM name of a location ("West Europe" → "westeurope"), or undefined when Azure has no such region. */
export function normaliseRegion(location: string): string | undefined {
  const name = location.replace(/\s+/g, "").toLowerCase();
  return AZURE_REGIONS.includes(name) ? name : undefined;
}
