"""Planning the demo company's history for `seed_demo`: the `World` the planners share (dice,
calendar, staff, the steps to replay), the `CompanyPlanner` (catalogue, customers, orders,
registrations, contracts) and the `CasePlanner` (cases and their courses)."""
