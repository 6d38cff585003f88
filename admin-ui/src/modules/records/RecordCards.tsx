import { Checkbox } from "antd";
import { Link } from "react-router";
import { FieldValue } from "@/field-types/FieldValue";
import { recordTitle } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { ownerName, type Person } from "@/users/useUsers";
import { ownerColumn } from "./columns";
import type { RecordNode } from "./useRecordList";

// RecordCards is the phone list: one card per record with its title,
// three more fields and the owner; tap to open.

type RecordCardsProps = {
  obj: ObjectMeta;
  rows: RecordNode[];
  columns: string[];
  people: Person[];
  selected: string[];
  onSelect: (ids: string[]) => void;
};

export function RecordCards({ obj, rows, columns, people, selected, onSelect }: RecordCardsProps) {
  const { t, label } = useI18n();
  const shown = columns.filter((c) => c !== obj.titleField && c !== ownerColumn && obj.byName[c]).slice(0, 3);
  return (
    <ul className="record-cards">
      {rows.map((r) => (
        <li key={r.id}>
          <div className="record-card">
            <div className="record-card-head">
              <Checkbox
                aria-label={recordTitle(r, obj.titleField)}
                checked={selected.includes(r.id)}
                onChange={(e) => onSelect(e.target.checked ? [...selected, r.id] : selected.filter((x) => x !== r.id))}
              />
              <Link to={`/o/${obj.name}/${r.id}`} className="record-card-title">
                {recordTitle(r, obj.titleField)}
              </Link>
            </div>
            <dl className="record-card-fields">
              {shown.map((c) => (
                <div key={c} className="record-card-field">
                  <dt>{label(obj.byName[c].label, c)}</dt>
                  <dd>
                    <FieldValue field={obj.byName[c]} value={r[c]} record={r} compact />
                  </dd>
                </div>
              ))}
              <div className="record-card-field">
                <dt>{t("list.owner")}</dt>
                <dd>{ownerName(r.ownerId, people)}</dd>
              </div>
            </dl>
          </div>
        </li>
      ))}
    </ul>
  );
}
