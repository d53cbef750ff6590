/**
 * Profile and presence: actions that set one part of the sender's own
 * state. Each stores the value, tells the sender's map as `playerSetsX`,
 * and newcomers get the same event in their first batch.
 *
 * @module
 */
import type { SpaceConnection } from "../space-connection.js";
import type { Space } from "../space.js";
import { badString, badUrl, forSelf, inRange, LIMITS, refuse, remember, type ActionDef, type Args } from "./define.js";

type Kind = "string" | "boolean" | "number" | "object";

interface PropertySpec {
  /** The action's field with the value (its other field, if any, is targetId). */
  field: string;
  /** The event that carries it, and the event's field. */
  event: string;
  eventField?: string;
  kind: Kind;
  /** Longest string. */
  limit?: number;
  /** A further check of the value; a problem, or undefined. */
  check?: (value: any, args: Args, space: Space, connection: SpaceConnection) => string | undefined;
  does: string;
}

/** Fields that `playerJoins` carries itself (so they are not kept twice). */
const JOIN_FIELDS = new Set(["name", "textStatus", "emojiStatus", "away"]);

/** The action that sets one property of the sender (see the module doc). */
export function property(spec: PropertySpec): ActionDef {
  const eventField = spec.eventField ?? spec.field;
  return {
    role: "guest",
    event: `\`${spec.event}\` to the map`,
    does: spec.does,
    handle(space, connection, args) {
      forSelf(connection, args.targetId);
      const value = args[spec.field];
      if (spec.kind === "object" ? value === null || typeof value !== "object" : typeof value !== spec.kind) refuse(`${spec.field} must be a ${spec.kind}`);
      const problem = (spec.kind === "string" ? badString(value, spec.limit ?? LIMITS.text, spec.field) : undefined) ?? spec.check?.(value, args, space, connection);
      if (problem !== undefined) refuse(problem);
      const player = connection.player;
      if (!JOIN_FIELDS.has(eventField)) remember(space, player, spec.event, { [eventField]: value }, value !== "" && value !== false);
      else {
        (player as unknown as Record<string, unknown>)[eventField] = value;
        space.toPlayersMap(player, { [spec.event]: { encId: player.encId, [eventField]: value } });
      }
    },
  };
}

const url = (what: string) => (value: string) => badUrl(value, what);

/** Time zones found valid (building an Intl.DateTimeFormat costs; the set of zones is small). */
const ZONES = new Set<string>();

function timezone(value: string): string | undefined {
  if (value === "" || ZONES.has(value)) return undefined;
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    if (ZONES.size < 1000) ZONES.add(value);
    return undefined;
  } catch {
    return `timezone '${value.slice(0, LIMITS.id)}' is not an IANA time zone`;
  }
}

function date(value: string): string | undefined {
  return value === "" || (/^\d{4}-\d\d-\d\d$/.test(value) && !Number.isNaN(Date.parse(value))) ? undefined : "startDate must be YYYY-MM-DD";
}

function instant(value: string): string | undefined {
  return value === "" || !Number.isNaN(Date.parse(value)) ? undefined : "focusModeEndTime must be a date and time (ISO 8601) or empty";
}

function json(value: string): string | undefined {
  if (value === "") return undefined;
  try {
    JSON.parse(value);
    return undefined;
  } catch {
    return "outfitString must be JSON";
  }
}

export const PRESENCE: Record<string, ActionDef> = {
  setAffiliation: property({ field: "affiliation", event: "playerSetsAffiliation", kind: "string", does: "Sets your affiliation (team, company)." }),
  setStatus: property({ field: "status", event: "playerSetsStatus", eventField: "busy", kind: "boolean", does: "Marks you busy (true) or available." }),
  setEmojiStatus: property({ field: "emojiStatus", event: "playerSetsEmojiStatus", kind: "string", limit: LIMITS.emoji, does: "Sets the emoji next to your name." }),
  activelySpeaking: property({ field: "activelySpeaking", event: "playerActivelySpeaks", kind: "boolean", does: "Says whether you are speaking now (the page rings your avatar)." }),
  setName: property({ field: "name", event: "playerSetsName", kind: "string", limit: LIMITS.name, check: (v) => (v.trim() === "" ? "name must not be empty" : undefined), does: "Sets your display name." }),
  setTextStatus: property({ field: "textStatus", event: "playerSetsTextStatus", kind: "string", does: "Sets the status line under your name." }),
  setWorkCondition: property({ field: "workCondition", event: "playerSetsWorkCondition", kind: "boolean", does: "Says whether you are at work (true) or not." }),
  setOutfitString: property({ field: "outfitString", event: "playerSetsOutfitString", kind: "string", limit: LIMITS.long, check: json, does: "Sets your avatar's outfit (a JSON string)." }),
  setEventStatus: property({ field: "eventStatus", event: "playerSetsEventStatus", kind: "string", does: "Sets your status in an event (e.g. the calendar event you are in)." }),
  setInConversation: property({ field: "inConversation", event: "playerSetsInConversation", kind: "boolean", does: "Says whether you are in a conversation." }),
  setCurrentDesk: property({ field: "currentDesk", event: "playerSetsCurrentDesk", kind: "string", limit: LIMITS.id, does: "Names the desk you sit at." }),
  setGoKartId: property({ field: "goKartId", event: "playerSetsGoKartId", kind: "string", limit: LIMITS.id, does: "Names the go-kart you drive (empty: none)." }),
  setIsAlone: property({ field: "isAlone", event: "playerSetsIsAlone", kind: "boolean", does: "Says whether you are alone (nobody within talking range)." }),
  setIsMobile: property({ field: "isMobile", event: "playerSetsIsMobile", kind: "boolean", does: "Says whether you are on a phone." }),
  setFocusModeEndTime: property({ field: "focusModeEndTime", event: "playerSetsFocusModeEndTime", kind: "string", check: instant, does: "Sets when your focus mode ends (ISO 8601; empty: not focusing)." }),
  setItemString: property({ field: "itemString", event: "playerSetsItemString", kind: "string", limit: LIMITS.long, does: "Sets the item you hold (a string the client draws)." }),
  setManualVideoSrc: property({ field: "manualVideoSrc", event: "playerSetsManualVideoSrc", kind: "string", limit: LIMITS.url, check: url("manualVideoSrc"), does: "Sets a video URL shown instead of your camera." }),
  setSubtitle: property({ field: "subtitle", event: "playerSetsSubtitle", kind: "string", limit: LIMITS.notification, does: "Sets the subtitle (live caption) shown under you." }),
  setSpeedModifier: property({ field: "speedModifier", event: "playerSetsSpeedModifier", kind: "number", check: (v) => (inRange(v, 0.25, 4) ? undefined : "speedModifier must be 0.25..4"), does: "Sets how fast you walk (0.25..4; the page eases faster or slower)." }),
  setAllowScreenPointer: property({ field: "allowScreenPointer", event: "playerSetsAllowScreenPointer", kind: "boolean", does: "Lets others point at your shared screen (setScreenPointer) or not." }),
  setDeskInfo: property({ field: "deskInfo", event: "playerSetsDeskInfo", kind: "object", does: "Sets your desk's id, description and lock." }),
  setPronouns: property({ field: "pronouns", event: "playerSetsPronouns", kind: "string", limit: LIMITS.name, does: "Sets your pronouns (profile, shown on hover)." }),
  setTitle: property({ field: "title", event: "playerSetsTitle", kind: "string", does: "Sets your job title (profile)." }),
  setTimezone: property({ field: "timezone", event: "playerSetsTimezone", kind: "string", limit: LIMITS.id, check: timezone, does: "Sets your IANA time zone (profile; checked)." }),
  setPhone: property({ field: "phone", event: "playerSetsPhone", kind: "string", check: (v) => (/^[+0-9 ().-]{0,32}$/.test(v) ? undefined : "phone may hold digits, spaces, + ( ) . - (32 at most)"), does: "Sets your phone number (profile)." }),
  setDescription: property({ field: "description", event: "playerSetsDescription", kind: "string", limit: LIMITS.long, does: "Sets your profile's description." }),
  setProfileImageUrl: property({ field: "profileImageUrl", event: "playerSetsProfileImageUrl", kind: "string", limit: LIMITS.url, check: url("profileImageUrl"), does: "Sets your profile picture's URL." }),
  setPersonalImageUrl: property({ field: "personalImageUrl", event: "playerSetsPersonalImageUrl", kind: "string", limit: LIMITS.url, check: url("personalImageUrl"), does: "Sets your personal image's URL." }),
  setAway: property({ field: "away", event: "playerSetsAway", kind: "boolean", does: "Marks you away (the page dims you)." }),
  setCity: property({ field: "city", event: "playerSetsCity", kind: "string", does: "Sets your city (profile)." }),
  setCountry: property({ field: "country", event: "playerSetsCountry", kind: "string", does: "Sets your country (profile)." }),
  setStartDate: property({ field: "startDate", event: "playerSetsStartDate", kind: "string", limit: 10, check: date, does: "Sets the day you started (YYYY-MM-DD; profile)." }),
};
