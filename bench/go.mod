module github.com/crmkit/crm/bench

go 1.26
