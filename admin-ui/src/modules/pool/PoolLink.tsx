import { TeamOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button } from "antd";
import { Link } from "react-router";
import { fetchPools } from "./api";

// PoolLink opens the 公海 page of an object that has a pool, with the
// claims the rep has left today; nothing for other objects.
export function PoolLink({ object, en, phone }: { object: string; en: boolean; phone: boolean }) {
  const pools = useQuery({ queryKey: ["pools"], queryFn: ({ signal }) => fetchPools(signal), staleTime: 60_000 });
  const pool = pools.data?.find((p) => p.object === object);
  if (!pool) return null;
  const word = en ? "Pool" : "公海";
  return (
    <Link to={`/o/${encodeURIComponent(object)}/pool`} aria-label={word}>
      <Button icon={<TeamOutlined />}>{phone ? null : pool.mayClaim ? `${word} · ${pool.claimsLeft}` : word}</Button>
    </Link>
  );
}
