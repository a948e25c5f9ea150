/**
 * Azure public-cloud regions: ARM `location` names, display names, geography and the region pair.
 *
 * Source: MicrosoftDocs/reliability-docs `articles/reliability/regions-list.md` and
 * `includes/paired-regions-include.md` @ c7803c50 (2026-07-28), cross-checked with the ARM
 * list-locations cache in Azure/terraform-azurerm-avm-utl-regions @ e9d62409 (2026-03-12).
 * `pair` is the region's OWN published secondary (pairs can be one-way, e.g. westus3 → eastus
 * while eastus → westus); `null` means the region has no pair. `swedensouth` → `swedencentral`
 * comes only from the superseded cross-region-replication page. Research note:
 * shared/research/azure-regions-and-key-rules.md §1–2.
 */

/** An Azure region: its ARM name, display name, geography and pair. */
export interface AzureRegion {
  /** ARM `location`, lower case without spaces, e.g. `westeurope`. */
  readonly name: string;
  /** Display name, e.g. `West Europe`. */
  readonly displayName: string;
  /** Geography as Microsoft's region list shows it, e.g. `Europe`, `United States`. */
  readonly geography: string;
  /** The region list's tab: `Americas`, `Europe` (incl. UK), `Middle East`, `Africa`, `Asia Pacific`. */
  readonly area: RegionArea;
  /** The region's own paired (secondary) region, or null for a region with no pair. */
  readonly pair: string | null;
  /** Access only on request (a vault can be created there only after an access request). */
  readonly restricted: boolean;
}

/** The area a geography belongs to. */
export type RegionArea = "Americas" | "Europe" | "Middle East" | "Africa" | "Asia Pacific";

const AREA_OF_GEOGRAPHY: Record<string, RegionArea> = {
  "United States": "Americas", Canada: "Americas", Mexico: "Americas", Brazil: "Americas", Chile: "Americas",
  Europe: "Europe", "United Kingdom": "Europe", France: "Europe", Germany: "Europe", Switzerland: "Europe", Norway: "Europe",
  Sweden: "Europe", Austria: "Europe", Belgium: "Europe", Denmark: "Europe", Italy: "Europe", Poland: "Europe", Spain: "Europe",
  UAE: "Middle East", Qatar: "Middle East", Israel: "Middle East",
  "South Africa": "Africa",
};

type Row = [name: string, displayName: string, geography: string, pair: string | null, restricted?: true];

const rows: Row[] = [
  ["australiacentral", "Australia Central", "Australia", "australiacentral2"],
  ["australiacentral2", "Australia Central 2", "Australia", "australiacentral", true],
  ["australiaeast", "Australia East", "Australia", "australiasoutheast"],
  ["australiasoutheast", "Australia Southeast", "Australia", "australiaeast"],
  ["austriaeast", "Austria East", "Austria", null],
  ["belgiumcentral", "Belgium Central", "Belgium", null],
  ["brazilsouth", "Brazil South", "Brazil", "southcentralus"],
  ["brazilsoutheast", "Brazil Southeast", "Brazil", "brazilsouth", true],
  ["canadacentral", "Canada Central", "Canada", "canadaeast"],
  ["canadaeast", "Canada East", "Canada", "canadacentral"],
  ["centralindia", "Central India", "India", "southindia"],
  ["centralus", "Central US", "United States", "eastus2"],
  ["chilecentral", "Chile Central", "Chile", null],
  ["denmarkeast", "Denmark East", "Denmark", null],
  ["eastasia", "East Asia", "Asia Pacific", "southeastasia"],
  ["eastus", "East US", "United States", "westus"],
  ["eastus2", "East US 2", "United States", "centralus"],
  ["francecentral", "France Central", "France", "francesouth"],
  ["francesouth", "France South", "France", "francecentral", true],
  ["germanynorth", "Germany North", "Germany", "germanywestcentral", true],
  ["germanywestcentral", "Germany West Central", "Germany", "germanynorth"],
  ["indiasouthcentral", "India South Central", "India", "centralindia"],
  ["indonesiacentral", "Indonesia Central", "Indonesia", null],
  ["israelcentral", "Israel Central", "Israel", null],
  ["italynorth", "Italy North", "Italy", null],
  ["japaneast", "Japan East", "Japan", "japanwest"],
  ["japanwest", "Japan West", "Japan", "japaneast"],
  ["koreacentral", "Korea Central", "Korea", "koreasouth"],
  ["koreasouth", "Korea South", "Korea", "koreacentral"],
  ["malaysiawest", "Malaysia West", "Malaysia", null],
  ["mexicocentral", "Mexico Central", "Mexico", null],
  ["newzealandnorth", "New Zealand North", "New Zealand", null],
  ["northcentralus", "North Central US", "United States", "southcentralus"],
  ["northeurope", "North Europe", "Europe", "westeurope"],
  ["norwayeast", "Norway East", "Norway", "norwaywest"],
  ["norwaywest", "Norway West", "Norway", "norwayeast", true],
  ["polandcentral", "Poland Central", "Poland", null],
  ["qatarcentral", "Qatar Central", "Qatar", null],
  ["southafricanorth", "South Africa North", "South Africa", "southafricawest"],
  ["southafricawest", "South Africa West", "South Africa", "southafricanorth", true],
  ["southcentralus", "South Central US", "United States", "northcentralus"],
  ["southindia", "South India", "India", "centralindia"],
  ["southeastasia", "Southeast Asia", "Asia Pacific", "eastasia"],
  ["spaincentral", "Spain Central", "Spain", null],
  ["swedencentral", "Sweden Central", "Sweden", "swedensouth"],
  ["swedensouth", "Sweden South", "Sweden", "swedencentral", true],
  ["switzerlandnorth", "Switzerland North", "Switzerland", "switzerlandwest"],
  ["switzerlandwest", "Switzerland West", "Switzerland", "switzerlandnorth", true],
  ["uaecentral", "UAE Central", "UAE", "uaenorth", true],
  ["uaenorth", "UAE North", "UAE", "uaecentral"],
  ["uksouth", "UK South", "United Kingdom", "ukwest"],
  ["ukwest", "UK West", "United Kingdom", "uksouth"],
  ["westcentralus", "West Central US", "United States", "westus2"],
  ["westeurope", "West Europe", "Europe", "northeurope"],
  ["westindia", "West India", "India", "southindia"],
  ["westus", "West US", "United States", "eastus"],
  ["westus2", "West US 2", "United States", "westcentralus"],
  ["westus3", "West US 3", "United States", "eastus"],
];

/** Every public-cloud region, keyed by ARM name. */
export const AZURE_REGIONS: Readonly<Record<string, AzureRegion>> = Object.freeze(
  Object.fromEntries(
    rows.map(([name, displayName, geography, pair, restricted]) => [
      name,
      Object.freeze({ name, displayName, geography, area: AREA_OF_GEOGRAPHY[geography] ?? "Asia Pacific", pair, restricted: restricted === true }),
    ]),
  ),
);

/** `West Europe`, `westeurope`, ` WestEurope ` → `westeurope`; unknown names are lower-cased and de-spaced only. */
export function normalizeRegion(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_-]+/g, "");
}

/** True for an Azure region the SDK knows, by ARM or display name. */
export function isKnownRegion(name: string): boolean {
  return Object.hasOwn(AZURE_REGIONS, normalizeRegion(name));
}

/** The region record, or undefined for a name this table does not know. */
export function regionInfo(name: string): AzureRegion | undefined {
  const key = normalizeRegion(name);
  return Object.hasOwn(AZURE_REGIONS, key) ? AZURE_REGIONS[key] : undefined;
}

/** The region's own pair (one direction), null when it has none, undefined when unknown. */
export function pairOf(name: string): string | null | undefined {
  const region = regionInfo(name);
  return region === undefined ? undefined : region.pair;
}

/**
 * True when either region names the other as its pair. Pairs can be one-way (westus3 → eastus),
 * and Microsoft's advice ("choose two non-paired regions") is about losing availability to a
 * shared disaster-recovery pairing, so either direction counts.
 */
export function arePaired(a: string, b: string): boolean {
  const x = normalizeRegion(a);
  const y = normalizeRegion(b);
  if (x === y) return false;
  return pairOf(x) === y || pairOf(y) === x;
}

/** Geography, e.g. `Europe`, or undefined for an unknown region. */
export function geographyOf(name: string): string | undefined {
  return regionInfo(name)?.geography;
}

/** The region list's area (`Europe`, `Americas` …), or undefined for an unknown region. */
export function areaOf(name: string): RegionArea | undefined {
  return regionInfo(name)?.area;
}
