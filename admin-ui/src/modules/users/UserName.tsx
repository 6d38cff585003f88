import { directoryPage, ownerName, useUsers, usernameOf } from "./useUsers";

// UserName shows the value of a user field ("user:NAME") by the person's
// display name, from the directory the page already has; someone beyond
// its first page is looked up by name (once: the answer is cached). A
// user who is not in the directory (deactivated since) shows by user name.
export function UserName({ value }: { value: string }) {
  const { people } = useUsers();
  const name = usernameOf(value);
  const look = people.length >= directoryPage && !people.some((p) => p.username === name);
  const found = useUsers(name, look);
  return <span>{ownerName(value, look ? found.people : people)}</span>;
}
