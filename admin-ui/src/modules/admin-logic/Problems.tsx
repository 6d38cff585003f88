import { Alert } from "antd";
import type { DefinitionProblem } from "@/api/errors";

type ProblemsProps = { problems: DefinitionProblem[]; shown?: (path: string) => boolean };

// Problems lists what the server refused that no input of the form shows
// itself: each with the path it concerns.
export function Problems({ problems, shown }: ProblemsProps) {
  const rest = problems.filter((p) => !shown?.(p.path));
  if (rest.length === 0) return null;
  return (
    <Alert
      type="error"
      showIcon
      className="logic-problems"
      title={
        <ul>
          {rest.map((p, i) => (
            <li key={i}>
              {p.path ? <code>{p.path}</code> : null} {p.message}
            </li>
          ))}
        </ul>
      }
    />
  );
}
