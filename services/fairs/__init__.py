"""Trade fairs: the fair and its status (manage), its floor plan of zones and booths (layout, floorplan),
exhibitor applications (applications) and booth assignment, by hand or automatic (assignment, planner).
Access rules are in services/policy/fairs.py."""
