import { useParams } from "react-router";
import { TemplateDetail } from "./TemplateDetail";
import { TemplateGallery } from "./TemplateGallery";
import "./templates.css";

// The templates section of the admin area (/admin/templates): the gallery
// of industry templates with what each holds, and per template
// (/admin/templates/NAME) install and upgrade with a dry-run diff first,
// the install's progress, rollback, sample data reset and export.
export function TemplatesPage() {
  const rest = useParams()["*"] ?? "";
  const name = rest.split("/")[1] ?? "";
  return name ? <TemplateDetail name={decodeURIComponent(name)} /> : <TemplateGallery />;
}
