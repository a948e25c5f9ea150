import { describe, expect, it } from "vitest";
import { areaOf, arePaired, AZURE_REGIONS, geographyOf, isKnownRegion, normalizeRegion, pairOf } from "../../src/index.js";

describe("Azure regions", () => {
  it("accepts ARM names and display names", () => {
    expect(normalizeRegion("West Europe")).toBe("westeurope");
    expect(normalizeRegion(" westeurope ")).toBe("westeurope");
    expect(isKnownRegion("West Europe")).toBe(true);
    expect(isKnownRegion("westeurope")).toBe(true);
    expect(isKnownRegion("East US 2")).toBe(true);
    expect(isKnownRegion("atlantis")).toBe(false);
    expect(isKnownRegion("toString")).toBe(false);
  });

  it("has every public region of the 2026-07-28 list, each pair pointing at a known region", () => {
    expect(Object.keys(AZURE_REGIONS)).toHaveLength(58); // 57 rows + swedensouth
    for (const region of Object.values(AZURE_REGIONS)) {
      if (region.pair !== null) expect(isKnownRegion(region.pair), region.name).toBe(true);
    }
  });

  it("knows mutual, one-way and missing pairs", () => {
    expect(pairOf("westeurope")).toBe("northeurope");
    expect(arePaired("West Europe", "North Europe")).toBe(true);
    // One-way: westus3 → eastus, but eastus → westus.
    expect(pairOf("westus3")).toBe("eastus");
    expect(pairOf("eastus")).toBe("westus");
    expect(arePaired("eastus", "westus3")).toBe(true);
    expect(arePaired("westindia", "southindia")).toBe(true);
    expect(pairOf("southindia")).toBe("centralindia");
    // Brazil South pairs outside its geography.
    expect(arePaired("brazilsouth", "southcentralus")).toBe(true);
    // No pair.
    expect(pairOf("italynorth")).toBeNull();
    expect(pairOf("polandcentral")).toBeNull();
    expect(pairOf("atlantis")).toBeUndefined();
    expect(arePaired("italynorth", "westeurope")).toBe(false);
    expect(arePaired("westeurope", "westeurope")).toBe(false);
  });

  it("reports geography and area", () => {
    expect(geographyOf("swedencentral")).toBe("Sweden");
    expect(areaOf("swedencentral")).toBe("Europe");
    expect(areaOf("uksouth")).toBe("Europe");
    expect(areaOf("brazilsouth")).toBe("Americas");
    expect(areaOf("japaneast")).toBe("Asia Pacific");
    expect(AZURE_REGIONS.norwaywest?.restricted).toBe(true);
  });
});
