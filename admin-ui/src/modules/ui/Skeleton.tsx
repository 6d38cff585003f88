// Skeleton is a loading paragraph drawn as antd's <Skeleton active> is
// (a title bar and rows, the last one shorter, shimmering), with the
// styles in styles.css: it is on every first page, and antd's pulls its
// avatar, button, image and input variants with it.

type SkeletonProps = { rows: number; className?: string };

export function Skeleton({ rows, className }: SkeletonProps) {
  return (
    <div className={className ? `skeleton ${className}` : "skeleton"}>
      <div className="skeleton-section">
        <h3 className="skeleton-title" style={{ width: "38%" }} />
        <ul className="skeleton-paragraph">
          {Array.from({ length: rows }, (_, i) => (
            <li key={i} style={i === rows - 1 ? { width: "61%" } : undefined} />
          ))}
        </ul>
      </div>
    </div>
  );
}
