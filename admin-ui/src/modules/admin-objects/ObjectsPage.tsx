import { useParams } from "react-router";
import { ObjectDesigner } from "./ObjectDesigner";
import { ObjectList } from "./ObjectList";
import "./objects.css";

// The "Objects and fields" section of the admin area (/admin/objects/…):
// the list of objects with their record counts and the creation of one
// (ObjectList), and each object's designer (ObjectDesigner) at
// /admin/objects/<name>, with a field's editor at /admin/objects/<name>/<field>.

export function ObjectsPage() {
  const parts = (useParams()["*"] ?? "").split("/");
  const name = parts[1] ?? "";
  const field = parts[2] ?? "";
  return name ? <ObjectDesigner key={name} name={name} field={field} /> : <ObjectList />;
}
