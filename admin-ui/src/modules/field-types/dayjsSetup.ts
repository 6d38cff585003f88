import dayjs from "dayjs";
import "dayjs/locale/zh-cn";
import timezone from "dayjs/plugin/timezone";
import utc from "dayjs/plugin/utc";
import { useI18n } from "@/i18n/I18nProvider";

// dayjs as the date pickers use it: with time zones and the Chinese
// locale. Only the inputs import it (lists and pages format dates with
// Intl, see format.ts), so that it stays off the first page.

dayjs.extend(utc);
dayjs.extend(timezone);

export { dayjs };

// useDayjsLocale follows the interface language in dayjs's global locale.
export function useDayjsLocale(): void {
  const { lang } = useI18n();
  dayjs.locale(lang === "en" ? "en" : "zh-cn");
}
