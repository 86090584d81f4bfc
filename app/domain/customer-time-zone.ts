// The customer's time zone, estimated from the address an order ships to (else its billing
// address). Shopify sends no time zone with an order, so this is the best guess there is; an
// address it cannot place gives null and the shop's zone is used instead.
//
// Countries with one zone come from countries-and-timezones (built from the IANA tz database's
// zone1970.tab, which names one zone per clock since 1970: Iceland gets Africa/Abidjan, the same
// time all year). Countries with several are mapped here by Shopify's province code (the ISO
// 3166-2 subdivision, e.g. "CA", "QLD", "SP"), and where a state or province is itself split,
// by postal prefix (US ZIP3, Canadian FSA, Australian postcode). Sources: the tz database's
// zone1970.tab comments and the US DOT time zone boundaries (49 CFR part 71); a prefix mixing two
// zones keeps the zone of most of its addresses.
import { getCountry } from "countries-and-timezones";
import { isValidTimeZone } from "./step-timing";

export interface CustomerAddress {
  countryCode: string | null | undefined;
  provinceCode?: string | null;
  zip?: string | null;
}

// Where a zone came from, for the follow-up's timeline.
export type TimeZoneSource = "shipping_address" | "billing_address";

// A country whose zones differ: its zone by province, by postal prefix within a province, and
// the zone of the whole country when no province is given (absent: unknown, the shop's is used).
interface SplitCountry {
  provinces: Record<string, string>;
  // province -> [postal prefix, zone]; the longest matching prefix wins.
  postal?: Record<string, [string, string][]>;
  // Postal prefixes that decide on their own, whatever the province says.
  anywhere?: [string, string][];
  whole?: string;
}

const US_EASTERN = ["CT", "DC", "DE", "GA", "MA", "MD", "ME", "NC", "NH", "NJ", "NY", "OH", "PA", "RI", "SC", "VA", "VT", "WV"];
const US_CENTRAL = ["AL", "AR", "IA", "IL", "LA", "MN", "MO", "MS", "OK", "WI"];
const US_MOUNTAIN = ["CO", "MT", "NM", "UT", "WY"];
const US_PACIFIC = ["CA", "NV", "WA"];

const each = (codes: string[], zone: string) => Object.fromEntries(codes.map((c) => [c, zone]));
const prefixes = (codes: string[], zone: string): [string, string][] => codes.map((c) => [c, zone]);

const SPLIT: Record<string, SplitCountry> = {
  US: {
    provinces: {
      ...each(US_EASTERN, "America/New_York"),
      ...each(US_CENTRAL, "America/Chicago"),
      ...each(US_MOUNTAIN, "America/Denver"),
      ...each(US_PACIFIC, "America/Los_Angeles"),
      // Arizona keeps standard time all year (the Navajo Nation's DST is not told apart here).
      AZ: "America/Phoenix",
      FL: "America/New_York",
      IN: "America/Indiana/Indianapolis",
      KY: "America/New_York",
      MI: "America/Detroit",
      TN: "America/Chicago",
      TX: "America/Chicago",
      KS: "America/Chicago",
      NE: "America/Chicago",
      ND: "America/Chicago",
      SD: "America/Chicago",
      ID: "America/Boise",
      OR: "America/Los_Angeles",
      AK: "America/Anchorage",
      HI: "Pacific/Honolulu",
      PR: "America/Puerto_Rico",
      VI: "America/St_Thomas",
      GU: "Pacific/Guam",
      MP: "Pacific/Saipan",
      AS: "Pacific/Pago_Pago",
    },
    postal: {
      // The panhandle west of the Apalachicola River: Pensacola, Panama City.
      FL: prefixes(["324", "325"], "America/Chicago"),
      // Gary and Hammond (Chicago's side), Evansville (the south-west corner).
      IN: prefixes(["463", "464", "476", "477"], "America/Chicago"),
      // Western Kentucky: Paducah, Bowling Green, Owensboro, Henderson.
      KY: prefixes(["420", "421", "422", "423", "424"], "America/Chicago"),
      // East Tennessee: Chattanooga, Knoxville, the Tri-Cities.
      TN: prefixes(["373", "374", "376", "377", "378", "379"], "America/New_York"),
      // El Paso.
      TX: prefixes(["798", "799", "885"], "America/Denver"),
      // The Nebraska panhandle: Scottsbluff, Alliance.
      NE: prefixes(["693"], "America/Denver"),
      // South-western North Dakota: Dickinson.
      ND: prefixes(["586"], "America/Denver"),
      // West River South Dakota: Rapid City.
      SD: prefixes(["577"], "America/Denver"),
      // North Idaho: Lewiston, Coeur d'Alene.
      ID: prefixes(["835", "838"], "America/Los_Angeles"),
      // Malheur County: Ontario.
      OR: prefixes(["979"], "America/Boise"),
    },
  },
  CA: {
    provinces: {
      AB: "America/Edmonton",
      BC: "America/Vancouver",
      MB: "America/Winnipeg",
      NB: "America/Moncton",
      NL: "America/St_Johns",
      NS: "America/Halifax",
      NT: "America/Edmonton",
      NU: "America/Iqaluit",
      ON: "America/Toronto",
      PE: "America/Halifax",
      QC: "America/Toronto",
      // Saskatchewan keeps Central Standard Time all year.
      SK: "America/Regina",
      YT: "America/Whitehorse",
    },
    postal: {
      // Most of Labrador keeps Atlantic time, not Newfoundland's.
      NL: prefixes(["A0P", "A0R", "A2V"], "America/Goose_Bay"),
      // North-western Ontario west of 90°: Kenora, Dryden, Fort Frances, Red Lake.
      ON: prefixes(["P0V", "P0W", "P8N", "P8T", "P9A", "P9N"], "America/Winnipeg"),
      // The Magdalen Islands.
      QC: prefixes(["G4T"], "America/Halifax"),
      // Lloydminster follows Alberta.
      SK: prefixes(["S9V"], "America/Edmonton"),
      // North-eastern British Columbia keeps Mountain Standard Time all year.
      BC: prefixes(["V0C", "V1G", "V1J"], "America/Dawson_Creek"),
    },
  },
  AU: {
    provinces: {
      ACT: "Australia/Sydney",
      NSW: "Australia/Sydney",
      NT: "Australia/Darwin",
      // Queensland keeps standard time all year.
      QLD: "Australia/Brisbane",
      SA: "Australia/Adelaide",
      TAS: "Australia/Hobart",
      VIC: "Australia/Melbourne",
      // Western Australia keeps standard time all year.
      WA: "Australia/Perth",
    },
    anywhere: [
      // Broken Hill (NSW) keeps South Australia's time; Lord Howe Island has its own.
      ["2880", "Australia/Broken_Hill"],
      ["2898", "Australia/Lord_Howe"],
    ],
  },
  BR: {
    provinces: {
      ...each(["SP", "RJ", "MG", "ES", "PR", "SC", "RS", "GO", "DF"], "America/Sao_Paulo"),
      BA: "America/Bahia",
      ...each(["PE", "PB", "RN"], "America/Recife"),
      ...each(["CE", "PI", "MA"], "America/Fortaleza"),
      ...each(["AL", "SE"], "America/Maceio"),
      ...each(["PA", "AP"], "America/Belem"),
      TO: "America/Araguaina",
      MS: "America/Campo_Grande",
      MT: "America/Cuiaba",
      RO: "America/Porto_Velho",
      RR: "America/Boa_Vista",
      AM: "America/Manaus",
      AC: "America/Rio_Branco",
    },
    // Fernando de Noronha.
    anywhere: [["53990", "America/Noronha"]],
  },
  MX: {
    provinces: {
      BC: "America/Tijuana",
      BCS: "America/Mazatlan",
      SIN: "America/Mazatlan",
      NAY: "America/Mazatlan",
      SON: "America/Hermosillo",
      CHIH: "America/Chihuahua",
      "Q ROO": "America/Cancun",
      ROO: "America/Cancun",
      NL: "America/Monterrey",
      COAH: "America/Monterrey",
      TAMPS: "America/Monterrey",
      YUC: "America/Merida",
      CAMP: "America/Merida",
    },
    // Ciudad Juárez follows El Paso's clock changes.
    postal: { CHIH: prefixes(["320", "321", "322", "323", "324", "325"], "America/Ciudad_Juarez") },
    whole: "America/Mexico_City",
  },
  ID: {
    provinces: {
      ...each(["KB", "KT"], "Asia/Pontianak"),
      ...each(["BA", "NB", "NT", "KS", "KI", "KU", "SN", "ST", "SG", "SA", "SR", "GO"], "Asia/Makassar"),
      ...each(["MA", "MU", "PA", "PB", "PD", "PE", "PS", "PT"], "Asia/Jayapura"),
    },
    whole: "Asia/Jakarta",
  },
  RU: {
    provinces: {
      KGD: "Europe/Kaliningrad",
      ...each(["SAM", "UD"], "Europe/Samara"),
      AST: "Europe/Astrakhan",
      SAR: "Europe/Saratov",
      ULY: "Europe/Ulyanovsk",
      ...each(["BA", "CHE", "KHM", "KGN", "ORE", "PER", "SVE", "TYU", "YAN"], "Asia/Yekaterinburg"),
      OMS: "Asia/Omsk",
      NVS: "Asia/Novosibirsk",
      TOM: "Asia/Tomsk",
      ...each(["ALT", "AL"], "Asia/Barnaul"),
      KEM: "Asia/Novokuznetsk",
      ...each(["KYA", "KK", "TY"], "Asia/Krasnoyarsk"),
      ...each(["IRK", "BU"], "Asia/Irkutsk"),
      ZAB: "Asia/Chita",
      ...each(["AMU", "SA"], "Asia/Yakutsk"),
      ...each(["PRI", "KHA", "YEV"], "Asia/Vladivostok"),
      MAG: "Asia/Magadan",
      SAK: "Asia/Sakhalin",
      KAM: "Asia/Kamchatka",
      CHU: "Asia/Anadyr",
      ...each(["MOW", "SPE", "MOS", "LEN", "KDA", "ROS", "NIZ", "TA", "VGG", "KIR", "VOR", "KRS", "BEL", "TUL"], "Europe/Moscow"),
    },
  },
  // Every Argentine zone keeps UTC−3 without daylight saving.
  AR: { provinces: {}, whole: "America/Argentina/Buenos_Aires" },
  // Kazakhstan has had one zone (UTC+5) since March 2024.
  KZ: { provinces: {}, whole: "Asia/Almaty" },
  CL: { provinces: { MA: "America/Punta_Arenas", AI: "America/Coyhaique" }, whole: "America/Santiago" },
  ES: { provinces: { GC: "Atlantic/Canary", TF: "Atlantic/Canary", CE: "Africa/Ceuta", ML: "Africa/Ceuta" }, whole: "Europe/Madrid" },
  PT: { provinces: { "20": "Atlantic/Azores", "30": "Atlantic/Madeira" }, whole: "Europe/Lisbon" },
  EC: { provinces: { W: "Pacific/Galapagos" }, whole: "America/Guayaquil" },
  // The other zones listed for these countries cover a few islands, an enclave or a disputed area.
  NZ: { provinces: {}, whole: "Pacific/Auckland" },
  DE: { provinces: {}, whole: "Europe/Berlin" },
  CN: { provinces: {}, whole: "Asia/Shanghai" },
  CY: { provinces: {}, whole: "Asia/Nicosia" },
  UA: { provinces: {}, whole: "Europe/Kyiv" },
  UZ: { provinces: {}, whole: "Asia/Tashkent" },
  VN: { provinces: {}, whole: "Asia/Ho_Chi_Minh" },
  MY: { provinces: {}, whole: "Asia/Kuala_Lumpur" },
  MN: { provinces: {}, whole: "Asia/Ulaanbaatar" },
  PG: { provinces: {}, whole: "Pacific/Port_Moresby" },
};

const clean = (v: string | null | undefined) => (typeof v === "string" ? v.trim().toUpperCase() : "");

// "US-CA" and "CA" both name California.
function provinceOf(country: string, code: string): string {
  return code.startsWith(`${country}-`) ? code.slice(country.length + 1) : code;
}

function byPrefix(zip: string, table: [string, string][] | undefined): string | null {
  if (!table || !zip) return null;
  let best: [string, string] | null = null;
  for (const entry of table) if (zip.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  return best ? best[1] : null;
}

function zoneOfSplitCountry(split: SplitCountry, country: string, provinceCode: string, zip: string): string | null {
  const anywhere = byPrefix(zip, split.anywhere);
  if (anywhere) return anywhere;
  const province = provinceOf(country, provinceCode);
  const zone = province ? split.provinces[province] : undefined;
  if (!zone) return split.whole ?? null;
  return byPrefix(zip, split.postal?.[province]) ?? zone;
}

// The IANA zone of an address, or null when the country is unknown or has several zones and the
// province does not say which.
export function timeZoneForAddress({ countryCode, provinceCode, zip }: CustomerAddress): string | null {
  const country = clean(countryCode);
  if (!/^[A-Z]{2}$/.test(country)) return null;
  // Postal codes are compared without spaces or dashes ("V0C 1A0", "53990-000").
  const postal = clean(zip).replace(/[\s-]/g, "");
  const split = SPLIT[country];
  let zone: string | null;
  if (split) zone = zoneOfSplitCountry(split, country, clean(provinceCode), postal);
  else {
    const zones = getCountry(country)?.timezones ?? [];
    zone = zones.length === 1 ? zones[0] : null;
  }
  // The running ICU may not know a zone newer than itself.
  return isValidTimeZone(zone) ? zone : null;
}

// The order's shipping address decides; an order that ships nowhere (digital goods) has its
// billing address.
export function customerTimeZoneOf({
  shipping,
  billing,
}: {
  shipping: CustomerAddress | null;
  billing: CustomerAddress | null;
}): { timeZone: string; source: TimeZoneSource } | null {
  if (shipping?.countryCode) {
    const zone = timeZoneForAddress(shipping);
    return zone ? { timeZone: zone, source: "shipping_address" } : null;
  }
  const zone = billing ? timeZoneForAddress(billing) : null;
  return zone ? { timeZone: zone, source: "billing_address" } : null;
}
