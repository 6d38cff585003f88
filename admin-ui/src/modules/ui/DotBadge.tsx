import type { ReactNode } from "react";

// DotBadge is antd's <Badge dot> (a red dot on the corner of its child,
// zooming in when it appears), drawn by styles.css: the list page needs
// only the dot, and antd's Badge brings counters and ribbons with it.

type DotBadgeProps = { dot: boolean; title?: string; children: ReactNode };

export function DotBadge({ dot, title, children }: DotBadgeProps) {
  return (
    <span className="dot-badge">
      {children}
      {dot ? <sup className="dot-badge-dot" title={title} /> : null}
    </span>
  );
}
