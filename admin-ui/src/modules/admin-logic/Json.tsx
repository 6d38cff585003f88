// Json shows a value as indented JSON.
export function Json({ value }: { value: unknown }) {
  return <pre className="logic-json">{JSON.stringify(value, null, 2)}</pre>;
}
