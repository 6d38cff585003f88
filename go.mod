module github.com/crmkit/crm

go 1.26.8
