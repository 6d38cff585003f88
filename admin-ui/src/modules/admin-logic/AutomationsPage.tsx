import { useText } from "@/admin/text";
import { AutomationEditor } from "./AutomationEditor";
import { AutomationList } from "./AutomationList";
import { ObjectSection } from "./ObjectSection";
import { countOf } from "./ObjectPicker";
import { logicText } from "./text";

// The admin section "automations" (/admin/automations/<object>[/<name>]):
// an object's automations as a list, each edited as a form.

export function AutomationsPage() {
  const t = useText(logicText);
  return (
    <ObjectSection
      title={t("pageAutomations")}
      base="/admin/automations"
      overview={{ hint: t("pickObjectAutomations"), columns: [{ key: "automations", title: t("automationsTitle"), count: (o) => countOf(o, "x-crm-automations") }] }}
      render={(obj, stored, [name]) => (name ? <AutomationEditor key={name} obj={obj} stored={stored} name={name} /> : <AutomationList obj={obj} stored={stored} />)}
    />
  );
}
