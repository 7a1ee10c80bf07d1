/** Orders two backup dates of one listing by all nine fractional digits, without a Date. */
export { compareBackupDates, latestBackupDate } from "../../provider/netangels/dates";
