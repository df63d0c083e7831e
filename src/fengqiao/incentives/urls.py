from django.urls import path

from fengqiao.incentives import views

urlpatterns = [
    path("incentives/", views.overview, name="incentives_overview"),
    path("incentives/households/<int:household_id>/", views.household, name="incentives_household"),
    path("incentives/rules/", views.rules, name="incentives_rules"),
    path("incentives/scoring/", views.periods, name="incentives_periods"),
    path("incentives/scoring/<int:period_id>/", views.period, name="incentives_period"),
    path("incentives/shops/", views.shops, name="incentives_shops"),
    path("incentives/shops/<int:shop_id>/", views.shop, name="incentives_shop"),
    path("incentives/lists/", views.lists, name="incentives_lists"),
    path("incentives/lists.docx", views.lists_docx, name="incentives_lists_docx"),
    path("incentives/elections/", views.elections, name="incentives_elections"),
    path("incentives/elections/<int:election_id>/", views.election, name="incentives_election"),
]
